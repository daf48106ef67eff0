"""Resolves credentials with Alibaba's official `alibabacloud-credentials` default chain
(the pinned version in requirements.txt) for one configuration, and prints which provider
answered and its AccessKeyId as JSON.

Usage: credentials_oracle.py SIM_URL < {"env": {...}}

The environment is the case's alone (the library reads it when imported). The library
sends STS, metadata and credentials-URI requests to fixed https hosts (sts.aliyuncs.com,
100.100.100.200); every request is rewritten to the emulator at SIM_URL over http, and
nothing else about the request is touched, so what is compared is the library's own choice
and its own calls.

Only the library's own answer is printed: credentials, or the CredentialException its chain
raises when no provider answered. The chain turns any exception of a provider into one line
of that message, so a crash of the rerouting patch (or a request that never reached the
emulator) would look like the library finding nothing: such a failure is recorded where it
happens and the oracle exits 2 with its traceback instead of printing an answer.
"""

import json
import os
import sys
import traceback
from urllib.parse import urlparse


def main():
    sim = urlparse(sys.argv[1])
    case = json.load(sys.stdin)
    os.environ.clear()
    os.environ.update(case["env"])

    from Tea.core import TeaCore

    real_do_action = TeaCore.do_action
    plumbing_failures = []

    def to_emulator(request, runtime_option=None):
        try:
            request.protocol = "http"
            request.headers["host"] = sim.hostname
            request.port = sim.port
            return real_do_action(request, runtime_option)
        except Exception:
            # An HTTP answer, error status included, is returned above; an exception here
            # means the request never got an answer from the emulator.
            plumbing_failures.append(traceback.format_exc())
            raise

    TeaCore.do_action = staticmethod(to_emulator)

    from alibabacloud_credentials.exceptions import CredentialException
    from alibabacloud_credentials.provider.default import DefaultCredentialsProvider

    try:
        c = DefaultCredentialsProvider().get_credentials()
        out = {"provider": c.get_provider_name(), "access_key_id": c.get_access_key_id()}
    except CredentialException as e:  # the chain's own failure is an answer too
        out = {"error": str(e)}
    if plumbing_failures:
        sys.stderr.write("the request rerouting failed:\n" + "\n".join(plumbing_failures))
        sys.exit(2)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
