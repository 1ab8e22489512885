"""A nightly cron job with Dhana's Python client (generated from openapi.yaml, used unmodified):
with a personal access token, make sure the account exists, import the bank's file, wait until
the import is committed, print the month's totals from the dashboard and save the month's
transactions as CSV.

    DHANA_URL=https://dhana.example DHANA_TOKEN=dhana_pat_... \
        python3 cron-import.py statement.csv 2026-03 march.csv
"""

import os
import sys
import time

from dhana_client import AuthenticatedClient
from dhana_client.api.accounts import create_account, list_accounts
from dhana_client.api.dashboard import get_dashboard
from dhana_client.api.imports import get_import, upload_import
from dhana_client.api.transactions import export_transactions
from dhana_client.models import AccountKind, CreateAccount, Problem, UploadForm
from dhana_client.types import File

ACCOUNT = "Everyday"


def ok(answer):
    """The answer, or the server's problem (it names the field or file line) as the exit message."""
    if answer is None or isinstance(answer, Problem):
        sys.exit(f"dhana: {answer.detail if answer else 'no answer'}")
    return answer


def main(statement, month, csv_out):
    client = AuthenticatedClient(base_url=os.environ["DHANA_URL"], token=os.environ["DHANA_TOKEN"])
    with client:
        accounts = ok(list_accounts.sync(client=client)).items
        account = next((a for a in accounts if a.name == ACCOUNT), None) or ok(
            create_account.sync(client=client, body=CreateAccount(name=ACCOUNT, kind=AccountKind.CHECKING))
        )
        with open(statement, "rb") as f:
            form = UploadForm(account_id=account.id, file=File(payload=f, file_name=os.path.basename(statement)))
            started = ok(upload_import.sync(client=client, body=form, commit=True))
        for _ in range(600):
            done = ok(get_import.sync(started.id, client=client))
            if done.status.value in ("committed", "failed"):
                break
            time.sleep(1)
        if done.status.value != "committed":
            sys.exit(f"dhana: the import ended {done.status.value}: {done.failure}")
        print(f"imported {done.counts.imported} of {done.counts.rows} rows from {done.filename}")
        summary = ok(get_dashboard.sync(client=client, month=month)).summary
        print(f"{month}: income {summary.income}, spending {summary.spending}, net {summary.net} (minor units)")
        with open(csv_out, "w", encoding="utf-8") as out:
            out.write(ok(export_transactions.sync(client=client, month=month)))


if __name__ == "__main__":
    main(*sys.argv[1:4])
