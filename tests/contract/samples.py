"""Answers the live platform was recorded giving, verbatim apart from ids (see
`../shared/api/real-platform-evidence.md`, "Samples"). Each names its source."""

# api2mcp's instruct files (wiltonMotta/api2mcp, `instruct/`): the paginated image list, success.
PAGED_IMAGES = (
    b'{"code":"0","msg":"success","data":{"total":1,"data":[{"id":"5e23ad61364e4b49bfcb1b30ff0a49d7","name":"custom",'
    b'"tag":"vllm0.7.2-ubuntu22.04-dtk25.04-rc6-das1.4-py3.10-20250227-rocblas-86461","path":"image.ac.com:5000/dcu/'
    b'admin/base/custom:vllm0.7.2-ubuntu22.04-dtk25.04-rc6-das1.4-py3.10-20250227-rocblas-86461","version":"custom:vl'
    b'lm0.7.2-ubuntu22.04-dtk25.04-rc6-das1.4-py3.10-20250227-rocblas-86461","imageSize":"6445336813","type":"Base",'
    b'"access":"public","acceleratorType":"dcu","status":"Completed","cloneTimes":1}]}}'
)

# vgp7758/Agt, `.agent/wiki/guides/scnet.md`: console and gateway answers recorded live.
SUCCESS_WITHOUT_DATA = b'{"code":"0","msg":"success"}'
NOTEBOOK_ALREADY_STOPPED = '{"code":"817140","msg":"当前Notebook已经停止！"}'.encode()
GATEWAY_TOKEN_INVALID = b'{"code":"1001","message":"jwt token is invalid"}'

# vgp7758/Agt: access-key login refusals recorded live (texts verbatim, the envelope reconstructed).
LOGIN_NO_SUCH_USER = '{"code":"10009","msg":"用户不存在"}'.encode()
LOGIN_BAD_SIGNATURE = '{"code":"10001","msg":"AK/SK签名校验失败"}'.encode()
# The region lookup (`/ac/openapi/v2/center`) asked with the platform token instead of a region's.
CENTER_WITH_PLATFORM_TOKEN = b'{"code":"10001","msg":"internal_error","data":"internal_error"}'
