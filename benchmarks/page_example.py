"""The platform page's own Python example (images-api.txt), pointed at a base URL from argv.

Used as the baseline of benchmarks/cli_speed.py: one call with requests, print the body.
"""

import json
import sys

import requests

url = sys.argv[1] + "/ai/openapi/v2/instance-service/images"
payload = json.dumps({"acceleratorType": "dcu", "imageType": "Base"})
headers = {"token": sys.argv[2], "Content-Type": "application/json"}

response = requests.request("GET", url, headers=headers, data=payload)
print(response.text)
