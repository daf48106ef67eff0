"""Alibaba's official Python SDKs against actiontrail-sim: the emulator is ActionTrail-shaped
when the clients Alibaba ships sign, send and parse every operation without knowing it is
not the cloud.

Usage: python conformance.py http://127.0.0.1:PORT [http://127.0.0.1:PORT2]

PORT2, when given, is an emulator serving a generated Resource Directory
(`actiontrail-sim --organization 3:4`), which the ResourceManager and STS clients check.

Runs, and exits non-zero on the first mismatch:
- alibabacloud_actiontrail20200706 (on alibabacloud-tea-openapi) in its HMAC-SHA1 mode
  (signature_algorithm="v2") and its default ACS3-HMAC-SHA256 mode: all five operations,
  1000 IPs across pages via NextToken, a never-used key, a wrong secret.
- alibabacloud_ram20150501 in both modes: ListUsers across pages via Marker, ListAccessKeys
  of every user (status, creation date), an unknown user, a caller without permission.
- aliyun-python-sdk-core + aliyun-python-sdk-actiontrail (the older client): Info, Ips with
  pagination, and a wrong secret (which that client recognises by comparing its string to
  sign with the one in the server's message).
- alibabacloud_resourcemanager20200331 and alibabacloud_sts20150401 in both modes, against
  the Resource Directory: ListAccounts across every page, a member refused; GetCallerIdentity
  of the management caller, AssumeRole into a member, GetCallerIdentity and RAM ListUsers
  with the member's credentials, a missing role (whose Recommend names STS); and a call
  above the emulator's flow control, which the SDK reads as its ThrottlingException: the
  Throttling.User code, message, request id, the x-acs-retry-after wait (after which the
  same call is served) and a Recommend naming STS.
"""

import json
import sys
import time

DEMO_ID = "LTAI5tDemoCaller0000001"
DEMO_SECRET = "demo-secret-do-not-use-in-production"
RECENT = "LTAI5tRecentUse000000001"
IDLE = "LTAI5tIdleKey0000000001"
NEVER = "LTAI5tNeverUsed00000001"
MANY = "LTAI5tManyIps0000000001"

EVENT_FIELDS = [
    "eventId", "eventName", "eventSource", "eventTime", "sourceIpAddress", "acsRegion",
    "serviceName", "userIdentity", "requestId", "apiVersion", "eventType", "isGlobal",
]


def check(cond, what):
    if not cond:
        raise AssertionError(what)


def check_event(detail, what):
    event = json.loads(detail)
    for field in EVENT_FIELDS:
        check(field in event, f"{what}: Detail lacks {field}: {detail}")
    for field in ["type", "accountId", "principalId", "accessKeyId"]:
        check(field in event["userIdentity"], f"{what}: userIdentity lacks {field}")
    return event


def new_sdk(endpoint, algorithm, secret=DEMO_SECRET):
    from alibabacloud_actiontrail20200706.client import Client
    from alibabacloud_tea_openapi import utils_models

    kwargs = dict(
        access_key_id=DEMO_ID,
        access_key_secret=secret,
        endpoint=endpoint,
        protocol="http",
        region_id="cn-hangzhou",
    )
    if algorithm:
        kwargs["signature_algorithm"] = algorithm
    return Client(utils_models.Config(**kwargs))


def new_sdk_pages(client, method, request_class, key, service, field, page_size):
    from alibabacloud_actiontrail20200706 import models

    items, token, pages = [], None, 0
    while True:
        req = request_class(access_key=key, service_name=service, page_size=page_size)
        if token:
            req.next_token = token
        body = getattr(client, method)(req).body.to_map()
        pages += 1
        check(body.get("RequestId"), f"{method}: RequestId")
        items.extend(body.get(field) or [])
        token = body.get("NextToken")
        if not token:
            return items, pages
        check(pages < 100, f"{method}: NextToken never ends")


def run_new_sdk(endpoint, algorithm):
    from alibabacloud_actiontrail20200706 import models

    mode = algorithm or "ACS3-HMAC-SHA256 (default)"
    client = new_sdk(endpoint, algorithm)

    info = client.get_access_key_last_used_info(
        models.GetAccessKeyLastUsedInfoRequest(access_key=RECENT)).body.to_map()
    for field in ["RequestId", "AccessKeyId", "AccountId", "AccountType", "OwnerId", "UserName",
                  "ServiceName", "ServiceNameCn", "ServiceNameEn", "Source", "Detail",
                  "UsedTimestamp"]:
        check(field in info, f"{mode}: Info lacks {field}: {info}")
    check(info["AccessKeyId"] == RECENT, f"{mode}: Info is about {RECENT}")
    check(info["ServiceName"] == "Ecs", f"{mode}: last used on Ecs: {info}")
    age_days = (time.time() * 1000 - int(info["UsedTimestamp"])) / 86_400_000
    check(1.5 < age_days < 3, f"{mode}: used about 2 days ago, not {age_days:.2f}")
    event = check_event(info["Detail"], f"{mode}: Info")
    check(event["userIdentity"]["accessKeyId"] == RECENT, f"{mode}: event names the key")

    idle = client.get_access_key_last_used_info(
        models.GetAccessKeyLastUsedInfoRequest(access_key=IDLE)).body.to_map()
    age_days = (time.time() * 1000 - int(idle["UsedTimestamp"])) / 86_400_000
    check(150 < age_days < 260, f"{mode}: idle key used about 200 days ago, not {age_days:.1f}")

    never = client.get_access_key_last_used_info(
        models.GetAccessKeyLastUsedInfoRequest(access_key=NEVER)).body.to_map()
    check(never.get("AccessKeyId") == NEVER and never.get("AccountId"), f"{mode}: never: {never}")
    for field in ["UsedTimestamp", "ServiceName", "Detail"]:
        check(field not in never, f"{mode}: a never-used key has no {field}: {never}")

    products = client.get_access_key_last_used_products(
        models.GetAccessKeyLastUsedProductsRequest(access_key=RECENT)).body.to_map()["Products"]
    names = [p["ServiceName"] for p in products]
    check({"Ecs", "Oss", "Ram"} <= set(names), f"{mode}: products {names}")
    stamps = [int(p["UsedTimestamp"]) for p in products]
    check(stamps == sorted(stamps, reverse=True), f"{mode}: products most recent first")
    for p in products:
        check(p.get("ServiceNameCn") and p.get("ServiceNameEn"), f"{mode}: names of {p}")
        check_event(p["Detail"], f"{mode}: product {p['ServiceName']}")
    none = client.get_access_key_last_used_products(
        models.GetAccessKeyLastUsedProductsRequest(access_key=NEVER)).body.to_map()
    check(not none.get("Products"), f"{mode}: a never-used key has no products: {none}")

    ips, pages = new_sdk_pages(client, "get_access_key_last_used_ips",
                               models.GetAccessKeyLastUsedIpsRequest, MANY, "Ecs", "Ips", 100)
    check(len(ips) == 1000 and pages == 10, f"{mode}: {len(ips)} IPs in {pages} pages")
    check(len({i["Ip"] for i in ips}) == 1000, f"{mode}: 1000 distinct IPs")
    stamps = [int(i["UsedTimestamp"]) for i in ips]
    check(stamps == sorted(stamps, reverse=True), f"{mode}: IPs most recent first")
    first = client.get_access_key_last_used_ips(
        models.GetAccessKeyLastUsedIpsRequest(access_key=MANY, service_name="Ecs")).body.to_map()
    check(len(first["Ips"]) == 20 and first["NextToken"], f"{mode}: default page of 20")

    for service in ["Ecs", "Oss"]:
        ips, _ = new_sdk_pages(client, "get_access_key_last_used_ips",
                               models.GetAccessKeyLastUsedIpsRequest, RECENT, service, "Ips", 2)
        check(len(ips) >= 3, f"{mode}: IPs on {service}: {ips}")
        res, _ = new_sdk_pages(client, "get_access_key_last_used_resources",
                               models.GetAccessKeyLastUsedResourcesRequest, RECENT, service,
                               "Resources", 2)
        check(len(res) >= 3, f"{mode}: resources on {service}: {res}")
        for r in res:
            check(r.get("ResourceName") and r.get("ResourceType"), f"{mode}: resource {r}")
            check_event(r["Detail"], f"{mode}: resource")

    res, pages = new_sdk_pages(client, "get_access_key_last_used_resources",
                               models.GetAccessKeyLastUsedResourcesRequest, MANY, "Ecs",
                               "Resources", 100)
    check(len(res) >= 250 and pages == -(-len(res) // 100), f"{mode}: {len(res)} resources")

    events, pages = new_sdk_pages(client, "get_access_key_last_used_events",
                                  models.GetAccessKeyLastUsedEventsRequest, RECENT, "Ecs",
                                  "Events", 2)
    check([e["EventName"] for e in events] ==
          ["DescribeInstances", "StartInstance", "DescribeSecurityGroups", "CreateDisk"]
          and pages == 2, f"{mode}: events of the data set, in {pages} pages: {events}")
    stamps = [int(e["UsedTimestamp"]) for e in events]
    check(stamps == sorted(stamps, reverse=True), f"{mode}: events most recent first")
    for e in events:
        check(e.get("Source"), f"{mode}: event source {e}")
        check(check_event(e["Detail"], f"{mode}: event")["eventName"] == e["EventName"],
              f"{mode}: Detail names the event {e}")
    made, _ = new_sdk_pages(client, "get_access_key_last_used_events",
                            models.GetAccessKeyLastUsedEventsRequest, IDLE, "Oss", "Events", 100)
    check([e["EventName"] for e in made] == ["PutObject"], f"{mode}: events from products {made}")

    empty = client.get_access_key_last_used_ips(
        models.GetAccessKeyLastUsedIpsRequest(access_key=NEVER, service_name="Ecs")).body.to_map()
    check(not empty.get("Ips") and not empty.get("NextToken"), f"{mode}: never: {empty}")

    expect_error(lambda: new_sdk(endpoint, algorithm, "wrong-secret").get_access_key_last_used_info(
        models.GetAccessKeyLastUsedInfoRequest(access_key=RECENT)),
        "SignatureDoesNotMatch", 400, mode)
    expect_error(lambda: client.get_access_key_last_used_ips(
        models.GetAccessKeyLastUsedIpsRequest(access_key=RECENT, service_name="Ecs",
                                              page_size=101)),
        "InvalidQueryParameter", 400, mode)
    print(f"conformance: alibabacloud_actiontrail20200706 {mode}: ok", file=sys.stderr)


def expect_error(call, code, status, mode):
    try:
        call()
    except Exception as e:  # the SDK's ClientException / ServerException
        got = getattr(e, "code", None)
        check(got == code, f"{mode}: expected {code}, got {got}: {e}")
        check(getattr(e, "status_code", status) == status, f"{mode}: HTTP {status}: {e}")
        check(getattr(e, "request_id", "x"), f"{mode}: the error carries a request id")
        return e
    raise AssertionError(f"{mode}: expected {code}, the call succeeded")


def run_ram_sdk(endpoint, algorithm):
    from alibabacloud_ram20150501.client import Client
    from alibabacloud_ram20150501 import models
    from alibabacloud_tea_openapi import utils_models

    mode = algorithm or "ACS3-HMAC-SHA256 (default)"

    def client(key=DEMO_ID, secret=DEMO_SECRET):
        kwargs = dict(access_key_id=key, access_key_secret=secret, endpoint=endpoint,
                      protocol="http", region_id="cn-hangzhou")
        if algorithm:
            kwargs["signature_algorithm"] = algorithm
        return Client(utils_models.Config(**kwargs))

    ram = client()
    users, marker, pages = [], None, 0
    while True:
        req = models.ListUsersRequest(max_items=2)
        if marker:
            req.marker = marker
        body = ram.list_users(req).body.to_map()
        pages += 1
        check(body.get("RequestId") and "IsTruncated" in body, f"ram {mode}: ListUsers {body}")
        users.extend(body["Users"]["User"])
        if not body["IsTruncated"]:
            break
        marker = body["Marker"]
        check(marker and pages < 100, f"ram {mode}: Marker")
    names = [u["UserName"] for u in users]
    check(names == ["ci-deployer", "legacy-backup", "new-hire"] and pages == 2,
          f"ram {mode}: users {names} in {pages} pages")
    for u in users:
        check(u.get("UserId") and u.get("CreateDate"), f"ram {mode}: user {u}")
    keys = {}
    for name in names:
        body = ram.list_access_keys(models.ListAccessKeysRequest(user_name=name)).body.to_map()
        check(body.get("RequestId"), f"ram {mode}: ListAccessKeys RequestId")
        for k in body["AccessKeys"]["AccessKey"]:
            check(k["Status"] in ("Active", "Inactive"), f"ram {mode}: status {k}")
            time.strptime(k["CreateDate"], "%Y-%m-%dT%H:%M:%SZ")
            keys[k["AccessKeyId"]] = (name, k["Status"])
    check(keys.get(IDLE) == ("legacy-backup", "Active")
          and keys.get("LTAI5tIdleKey0000000002") == ("legacy-backup", "Inactive")
          and keys.get(RECENT) == ("ci-deployer", "Active") and NEVER in keys
          and MANY not in keys, f"ram {mode}: keys of the caller's account {keys}")
    expect_error(lambda: ram.list_access_keys(models.ListAccessKeysRequest(user_name="nobody")),
                 "EntityNotExist.User", 404, f"ram {mode}")
    expect_error(lambda: client("LTAI5tDeniedCaller00001", "denied-secret").list_users(
        models.ListUsersRequest()), "NoPermission", 403, f"ram {mode}")
    expect_error(lambda: client(secret="wrong-secret").list_users(models.ListUsersRequest()),
                 "SignatureDoesNotMatch", 400, f"ram {mode}")
    print(f"conformance: alibabacloud_ram20150501 {mode}: ok", file=sys.stderr)


def run_core_sdk(endpoint):
    from aliyunsdkcore.client import AcsClient
    from aliyunsdkcore.acs_exception.exceptions import ServerException
    from aliyunsdkactiontrail.request.v20200706 import (
        GetAccessKeyLastUsedInfoRequest, GetAccessKeyLastUsedIpsRequest)

    def prepare(req):
        req.set_endpoint(endpoint)
        req.set_protocol_type("http")
        return req

    client = AcsClient(DEMO_ID, DEMO_SECRET, "cn-hangzhou")
    req = prepare(GetAccessKeyLastUsedInfoRequest.GetAccessKeyLastUsedInfoRequest())
    req.set_AccessKey(RECENT)
    info = json.loads(client.do_action_with_exception(req))
    check(info["AccessKeyId"] == RECENT and info["ServiceName"] == "Ecs", f"core: {info}")
    check_event(info["Detail"], "core: Info")

    ips, token, pages = [], None, 0
    while True:
        req = prepare(GetAccessKeyLastUsedIpsRequest.GetAccessKeyLastUsedIpsRequest())
        req.set_AccessKey(MANY)
        req.set_ServiceName("Ecs")
        req.set_PageSize(100)
        if token:
            req.set_NextToken(token)
        page = json.loads(client.do_action_with_exception(req))
        pages += 1
        ips.extend(page["Ips"])
        token = page.get("NextToken")
        if not token:
            break
        check(pages < 100, "core: NextToken never ends")
    check(len(ips) == 1000 and pages == 10, f"core: {len(ips)} IPs in {pages} pages")

    bad = AcsClient(DEMO_ID, "wrong-secret", "cn-hangzhou")
    req = prepare(GetAccessKeyLastUsedInfoRequest.GetAccessKeyLastUsedInfoRequest())
    req.set_AccessKey(RECENT)
    try:
        bad.do_action_with_exception(req)
        raise AssertionError("core: a wrong secret succeeded")
    except ServerException as e:
        # The client turns SignatureDoesNotMatch into InvalidAccessKeySecret only when the
        # server's string to sign equals its own: the emulator canonicalises as Alibaba does.
        check(e.get_error_code() == "InvalidAccessKeySecret",
              f"core: expected InvalidAccessKeySecret, got {e.get_error_code()}: {e}")
    print("conformance: aliyun-python-sdk-core + aliyun-python-sdk-actiontrail: ok", file=sys.stderr)


ORG_ID = "LTAI5tOrgAuditor0000001"
ORG_SECRET = "org-secret-do-not-use-in-production"
ORG_MEMBER_ID = "LTAI5tOrgMemberUser0001"
ORG_MEMBER_SECRET = "org-member-secret-do-not-use"
ORG_MANAGEMENT = "1688000000000000"
ORG_MEMBERS = ["1688000000000001", "1688000000000002", "1688000000000003"]
ORG_USERS = 4
ACCESS_ROLE = "ResourceDirectoryAccountAccessRole"


def tea_config(endpoint, algorithm, key, secret, token=None):
    from alibabacloud_tea_openapi import utils_models

    kwargs = dict(access_key_id=key, access_key_secret=secret, endpoint=endpoint,
                  protocol="http", region_id="cn-hangzhou")
    if token:
        kwargs["security_token"] = token
    if algorithm:
        kwargs["signature_algorithm"] = algorithm
    return utils_models.Config(**kwargs)


def set_rate_limit(endpoint, rate):
    import urllib.request

    req = urllib.request.Request(f"http://{endpoint}/__sim/config",
                                 data=json.dumps({"rate_limit": rate}).encode(),
                                 headers={"content-type": "application/json"}, method="POST")
    with urllib.request.urlopen(req) as resp:
        check(json.load(resp)["rate_limit"] == rate, f"the emulator's rate is {rate}")


def run_directory_sdk(endpoint, algorithm):
    from alibabacloud_resourcemanager20200331.client import Client as ResourceManager
    from alibabacloud_resourcemanager20200331 import models as rm
    from alibabacloud_sts20150401.client import Client as Sts
    from alibabacloud_ram20150501.client import Client as Ram
    from alibabacloud_ram20150501 import models as ram_models

    mode = algorithm or "ACS3-HMAC-SHA256 (default)"
    manager = ResourceManager(tea_config(endpoint, algorithm, ORG_ID, ORG_SECRET))
    seen, page_number, total = [], 1, None
    while True:
        body = manager.list_accounts(
            rm.ListAccountsRequest(page_number=page_number, page_size=2)).body
        check(body.request_id and body.page_number == page_number and body.page_size == 2,
              f"rm {mode}: page {page_number}: {body.to_map()}")
        total = body.total_count
        for a in body.accounts.account:
            check(a.account_id and a.display_name and a.resource_directory_id and a.folder_id
                  and a.join_method and a.join_time and a.modify_time and a.status
                  and a.type in ("CloudAccount", "ResourceAccount")
                  and a.resource_directory_path.endswith(a.account_id), f"rm {mode}: {a.to_map()}")
            seen.append(a.account_id)
        if len(seen) >= total or not body.accounts.account:
            break
        page_number += 1
        check(page_number < 100, f"rm {mode}: pages never end")
    check(sorted(seen) == sorted([ORG_MANAGEMENT] + ORG_MEMBERS) and total == 4 and page_number == 2,
          f"rm {mode}: every account once, in {page_number} pages: {seen}")
    expect_error(lambda: ResourceManager(
        tea_config(endpoint, algorithm, ORG_MEMBER_ID, ORG_MEMBER_SECRET)).list_accounts(
        rm.ListAccountsRequest()), "NoPermission", 403, f"rm {mode}")
    expect_error(lambda: manager.list_accounts(rm.ListAccountsRequest(page_size=101)),
                 "InvalidParameter", 400, f"rm {mode}")

    sts = Sts(tea_config(endpoint, algorithm, ORG_ID, ORG_SECRET))
    me = sts.get_caller_identity().body
    check(me.account_id == ORG_MANAGEMENT and me.identity_type == "RAMUser" and me.request_id
          and me.arn == f"acs:ram::{ORG_MANAGEMENT}:user/org-auditor" and me.user_id,
          f"sts {mode}: caller {me.to_map()}")
    from alibabacloud_sts20150401 import models as sts_models
    member = ORG_MEMBERS[1]
    assumed = sts.assume_role(sts_models.AssumeRoleRequest(
        role_arn=f"acs:ram::{member}:role/{ACCESS_ROLE}", role_session_name="org-audit")).body
    cred = assumed.credentials
    check(cred.access_key_id.startswith("STS.") and cred.security_token and cred.expiration,
          f"sts {mode}: credentials {assumed.to_map()}")
    as_member = Sts(tea_config(endpoint, algorithm, cred.access_key_id, cred.access_key_secret,
                               cred.security_token))
    who = as_member.get_caller_identity().body
    check(who.account_id == member and who.identity_type == "AssumedRoleUser" and who.role_id
          and who.principal_id == f"{who.role_id}:org-audit", f"sts {mode}: member {who.to_map()}")
    ram = Ram(tea_config(endpoint, algorithm, cred.access_key_id, cred.access_key_secret,
                         cred.security_token))
    users = ram.list_users(ram_models.ListUsersRequest(max_items=100)).body.to_map()
    check(len(users["Users"]["User"]) == ORG_USERS, f"sts {mode}: the member's users {users}")
    missing_role = expect_error(lambda: sts.assume_role(sts_models.AssumeRoleRequest(
        role_arn=f"acs:ram::{member}:role/AuditReadOnly", role_session_name="org-audit")),
        "EntityNotExist.Role", 404, f"sts {mode}")
    check("&product=Sts&" in missing_role.data.get("Recommend", ""),
          f"sts {mode}: a missing role's Recommend names STS: {missing_role.data}")

    from alibabacloud_tea_openapi.exceptions import ThrottlingException

    set_rate_limit(endpoint, 1)
    try:
        sts.get_caller_identity()
        try:
            sts.get_caller_identity()
            raise AssertionError(f"sts {mode}: a second call within the second was served")
        except AssertionError:
            raise
        except Exception as e:
            check(getattr(e, "code", None) == "Throttling.User", f"sts {mode}: {e}")
            check(getattr(e, "status_code", None) == 400, f"sts {mode}: HTTP 400: {e}")
            check(getattr(e, "message", "").find("Request was denied due to user flow control") >= 0,
                  f"sts {mode}: message: {e}")
            check(getattr(e, "request_id", None), f"sts {mode}: a throttled call has a request id")
            # The SDK raises its ThrottlingException only for a positive x-acs-retry-after,
            # which it keeps, in milliseconds, as the wait before a retry.
            check(isinstance(e, ThrottlingException), f"sts {mode}: {type(e).__name__}: {e}")
            wait = e.retry_after
            check(isinstance(wait, int) and 1 <= wait <= 1000,
                  f"sts {mode}: x-acs-retry-after is within one call's interval at 1/s: {wait}")
            check("&product=Sts&" in e.data.get("Recommend", ""),
                  f"sts {mode}: Recommend names STS: {e.data}")
            time.sleep(wait / 1000)
            again = sts.get_caller_identity().body
            check(again.account_id == ORG_MANAGEMENT,
                  f"sts {mode}: served after the wait: {again.to_map()}")
    finally:
        set_rate_limit(endpoint, 0)
    print(f"conformance: alibabacloud_resourcemanager20200331 + alibabacloud_sts20150401 {mode}: ok",
          file=sys.stderr)


def main():
    urls = sys.argv[1:]
    if len(urls) not in (1, 2) or not all(u.startswith("http://") for u in urls):
        print("usage: conformance.py http://127.0.0.1:PORT [http://127.0.0.1:PORT2]",
              file=sys.stderr)
        return 2
    endpoint = sys.argv[1][len("http://"):].rstrip("/")
    run_new_sdk(endpoint, "v2")
    run_new_sdk(endpoint, None)
    run_ram_sdk(endpoint, "v2")
    run_ram_sdk(endpoint, None)
    run_core_sdk(endpoint)
    if len(urls) == 2:
        org = urls[1][len("http://"):].rstrip("/")
        run_directory_sdk(org, "v2")
        run_directory_sdk(org, None)
    print("conformance: every client passed", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
