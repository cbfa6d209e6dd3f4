"""The SCNet image-list client: models, errors and HTTP. Imports nothing of the UI."""

from .client import ClientOptions, ScnetClient, ScnetSyncClient, api_root, images_url
from .errors import (
    ApiError,
    ConfigError,
    MalformedResponse,
    NetworkError,
    ScnetError,
    TlsError,
    TokenRefused,
)
from .models import Image, ImageList, parse_image, parse_image_list

__all__ = [
    "ApiError",
    "ClientOptions",
    "ConfigError",
    "Image",
    "ImageList",
    "MalformedResponse",
    "NetworkError",
    "ScnetClient",
    "ScnetError",
    "ScnetSyncClient",
    "TlsError",
    "TokenRefused",
    "api_root",
    "images_url",
    "parse_image",
    "parse_image_list",
]
