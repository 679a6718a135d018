"""Issue 18: checkpoint opening hours in OpenStreetMap opening_hours syntax ("Mon-Fri" becomes "Mo-Fr");
an index for a checkpoint's weighings, newest first (the desk's list).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 09:00:00
"""
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

#: The house's three-letter day names and OSM's two-letter ones, whole words only.
_DAYS = (("Mon", "Mo"), ("Tue", "Tu"), ("Wed", "We"), ("Thu", "Th"), ("Fri", "Fr"), ("Sat", "Sa"), ("Sun", "Su"))


def _rename(pairs) -> None:
    for old, new in pairs:
        op.execute(
            f"UPDATE checkpoints SET opening_hours = regexp_replace(opening_hours, '\\m{old}\\M', '{new}', 'g') "
            f"WHERE opening_hours ~ '\\m{old}\\M'"
        )


def upgrade() -> None:
    _rename(_DAYS)
    op.create_index('ix_weighings_checkpoint_weighed_at', 'weighings', ['checkpoint_id', 'weighed_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_weighings_checkpoint_weighed_at', table_name='weighings')
    _rename((new, old) for old, new in _DAYS)
