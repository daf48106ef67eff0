"""Resolves credentials with Alibaba's official `alibabacloud-credentials` default chain
(the pinned version in requirements.txt) for one configuration, and prints which provider
answered and its AccessKeyId as JSON.

Usage: credentials_oracle.py SIM_URL < {"env": {...}}

The environment is the case's alone (the library reads it when imported). The library
sends STS, metadata and credentials-URI requests to fixed https hosts (sts.aliyuncs.com,
100.100.100.200); every request is rewritten to the emulator at SIM_URL over http, and
nothing else about the request is touched, so what is compared is the library's own choice
and its own calls.
"""

import json
import os
import sys
from urllib.parse import urlparse


def main():
    sim = urlparse(sys.argv[1])
    case = json.load(sys.stdin)
    os.environ.clear()
    os.environ.update(case["env"])

    from Tea.core import TeaCore

    real_do_action = TeaCore.do_action

    def to_emulator(request, runtime_option=None):
        request.protocol = "http"
        request.headers["host"] = sim.hostname
        request.port = sim.port
        return real_do_action(request, runtime_option)

    TeaCore.do_action = staticmethod(to_emulator)

    from alibabacloud_credentials.provider.default import DefaultCredentialsProvider

    try:
        c = DefaultCredentialsProvider().get_credentials()
        out = {"provider": c.get_provider_name(), "access_key_id": c.get_access_key_id()}
    except Exception as e:  # the chain's own failure is an answer too
        out = {"error": str(e)}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
