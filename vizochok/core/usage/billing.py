"""Monthly statements from the usage ledger: the totals are the sums of the recorded calls, to the cent."""

from __future__ import annotations

import csv
import io
from decimal import ROUND_HALF_UP, Decimal

from pydantic import BaseModel

from vizochok.core.admin.model import DailyActivity, LedgerRow


class Statement(BaseModel):
    """A tenant's month."""

    tenant_id: str
    month: str
    """`YYYY-MM`."""
    plan: str
    lines: list[LedgerRow]
    activity: list[DailyActivity]
    prompt_tokens: int
    completion_tokens: int
    cost: float
    conversations: int
    messages: int


def build_statement(
    tenant_id: str, month: str, plan: str, lines: list[LedgerRow], activity: list[DailyActivity]
) -> Statement:
    """Totals over the month's ledger lines."""
    cost = sum((Decimal(str(line.cost)) for line in lines), Decimal(0)).quantize(
        Decimal("0.00000001"), ROUND_HALF_UP
    )
    return Statement(
        tenant_id=tenant_id,
        month=month,
        plan=plan,
        lines=lines,
        activity=activity,
        prompt_tokens=sum(line.prompt_tokens for line in lines),
        completion_tokens=sum(line.completion_tokens for line in lines),
        cost=float(cost),
        conversations=sum(a.conversations for a in activity),
        messages=sum(a.messages for a in activity),
    )


def statement_csv(statement: Statement) -> str:
    """The statement as CSV: one row per day and model, then a total row."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["day", "model", "llm_calls", "prompt_tokens", "completion_tokens", "cost"])
    for line in statement.lines:
        writer.writerow(
            [
                line.day.isoformat(),
                line.model,
                line.llm_calls,
                line.prompt_tokens,
                line.completion_tokens,
                f"{line.cost:.8f}",
            ]
        )
    writer.writerow(
        [
            "total",
            "",
            sum(line.llm_calls for line in statement.lines),
            statement.prompt_tokens,
            statement.completion_tokens,
            f"{statement.cost:.8f}",
        ]
    )
    return out.getvalue()
