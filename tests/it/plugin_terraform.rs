//! Real Terraform (1.15.5 and 1.0.3 on protocol 6, 0.13.5 on protocol 5) starts the plugin, completes
//! go-plugin's handshake and AutoMTLS with its own P-521 client certificate, reads the
//! schema and shuts the plugin down cleanly.

use crate::support::{terraform_block, Tf, Workspace};

#[test]
fn terraform_handshakes_over_mtls_reads_the_schema_and_shuts_the_plugin_down() {
    let hcl = format!("{}\nprovider \"actiontrail\" {{}}\n", terraform_block());
    for tf in Tf::ALL {
        let mut ws = Workspace::new(tf, &hcl);
        ws.init();
        ws.env("TF_LOG", "DEBUG");
        let out = ws.run(&["providers", "schema", "-json"]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{tf:?}:\n{stderr}");
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert!(
            json["provider_schemas"]["registry.terraform.io/actiontrail/actiontrail"]["provider"]
                .is_object(),
            "{tf:?}: {json}"
        );
        // Terraform's own log shows mTLS was negotiated and the plugin exited by itself.
        assert!(
            stderr.contains("configuring client automatic mTLS"),
            "{tf:?}:\n{stderr}"
        );
        let protocol = match tf {
            Tf::V1_0_3 | Tf::V1_15_5 => "using plugin: version=6",
            Tf::V0_13_5 => "using plugin: version=5",
        };
        assert!(stderr.contains(protocol), "{tf:?}:\n{stderr}");
        assert!(stderr.contains("plugin exited"), "{tf:?}:\n{stderr}");
        assert!(
            !stderr.contains("failed to exit gracefully"),
            "{tf:?}: the plugin had to be killed:\n{stderr}"
        );
        // The plugin's own log lines reach Terraform's log as parsed hclog JSON.
        assert!(stderr.contains("@module=actiontrail"), "{tf:?}:\n{stderr}");

        let plan = ws.run(&["plan", "-no-color", "-input=false"]);
        assert!(
            plan.status.success(),
            "{tf:?}: {}",
            String::from_utf8_lossy(&plan.stderr)
        );
    }
}
