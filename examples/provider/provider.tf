terraform {
  required_providers {
    actiontrail = {
      source  = "actiontrail/actiontrail"
      version = "0.1.0"
    }
  }
}

# Credentials come from the first source that has them: access_key/secret_key here,
# ALIBABA_CLOUD_ACCESS_KEY_ID/ALIBABA_CLOUD_ACCESS_KEY_SECRET, an OIDC token
# (ALIBABA_CLOUD_OIDC_TOKEN_FILE), the aliyun CLI profile, ~/.alibabacloud/credentials,
# an ECS instance RAM role, or ALIBABA_CLOUD_CREDENTIALS_URI. Keep secrets out of HCL.
provider "actiontrail" {
  region      = "cn-hangzhou"
  max_retries = 5
  timeout     = "30s"
}

# Reading as a dedicated auditor role, assumed with the credentials found above.
provider "actiontrail" {
  alias = "auditor"

  assume_role {
    role_arn           = "acs:ram::1234567890123456:role/actiontrail-auditor"
    session_name       = "terraform-key-audit"
    session_expiration = 3600
  }
}
