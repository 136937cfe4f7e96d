"""`sitegen deploy`: publish the built site to a folder, bucket, server or git branch,
sending only what changed and never leaving half a site (see docs/deploy.md).

targets.py   [deploy.NAME] config, URLs, redaction of credentials
files.py     local files and hashes, file kinds, headers, upload order
plan.py      the manifest kept at the target and the plan (new/changed/deleted)
fs_target.py fsspec targets (folder, s3, gs, az, sftp, webdav) with retries
apply.py     carrying out a plan: journal, phases, parallel uploads, deletes
git_target.py git branch targets (one commit, pushed)
preflight.py refusing a missing, stale or broken output
command.py   the command line
"""
