"""Daily background work of the rider pass (run them from the scheduler, e.g. once a night)."""

from django_tasks import task

from . import keyring, services


@task()
def insurance_reminders() -> int:
    """Mark policies that end within the reminder window (shown to the rider and the community)."""
    return services.insurance_remind()


@task()
def access_events_retention() -> int:
    """Delete gate scans past the retention period, keeping anonymous daily counts."""
    _rolled, deleted = services.access_events_purge()
    return deleted


@task()
def pass_documents_refresh() -> int:
    """Republish the key set and revocation list, pruning expired keys and serials; make the next
    signing key when the current one's window has ended."""
    keyring.signing_key_for_issuing()
    keyring.publish_keyset()
    return keyring.publish_revocations().sequence
