"""Error codes of the runner and the exit code of each class of error."""

# One exit code per class, so a Job's exit code alone already says what kind of failure it was; the exact
# code is in the result JSON. Documented in README.md ("Exit codes"). The operator's Java enum RunnerError mirrors
# these classes and codes; its RunnerErrorTest reads this file and fails when the two differ.
EXIT_OK = 0
EXIT_INTERNAL = 1  # a bug or an unexpected condition in the runner or the project
EXIT_USAGE = 2  # wrong invocation or configuration: fix the Job, the Secret or ALEMBIC_CONFIG
EXIT_REVISION = 3  # the revision graph or the database revision does not allow it: a human has to act
EXIT_TRANSIENT = 4  # the database is unreachable or busy: retrying later may succeed
EXIT_MIGRATION = 5  # a migration script failed
EXIT_BACKUP = 6  # taking or restoring a backup failed
EXIT_WAIT = 7  # wait gave up: the database did not reach the revision in time

EXIT_CODES = {
    "BAD_ARGUMENTS": EXIT_USAGE,
    "BAD_DATABASE_URL": EXIT_USAGE,
    "REHEARSAL_NOT_PERMITTED": EXIT_USAGE,
    "MULTIPLE_HEADS": EXIT_REVISION,
    "UNKNOWN_REVISION": EXIT_REVISION,
    "UNKNOWN_CURRENT_REVISION": EXIT_REVISION,
    "TARGET_WOULD_BRANCH": EXIT_REVISION,
    "UNVERSIONED_DATABASE": EXIT_REVISION,
    "BAD_VERSION_TABLE": EXIT_REVISION,
    "PLAN_CHANGED": EXIT_REVISION,
    "DATABASE_UNREACHABLE": EXIT_TRANSIENT,
    "LOCK_TIMEOUT": EXIT_TRANSIENT,
    "MIGRATION_FAILED": EXIT_MIGRATION,
    "REHEARSAL_FAILED": EXIT_MIGRATION,
    "BACKUP_FAILED": EXIT_BACKUP,
    "RESTORE_FAILED": EXIT_BACKUP,
    "WAIT_TIMEOUT": EXIT_WAIT,
    "INTERNAL_ERROR": EXIT_INTERNAL,
}


class RunnerError(Exception):
    """A failure with one of the contract's error codes.

    ``details`` become extra fields of the result's ``error`` object (for example ``current`` after a
    failed migration, or ``revision`` for the revision that failed).
    """

    def __init__(self, code, message, **details):
        if code not in EXIT_CODES:
            raise ValueError(f"unknown error code {code}")
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details

    @property
    def exit_code(self):
        return EXIT_CODES[self.code]


def sentence(text):
    """``text`` ending in a full stop, unless it already ends in one (or '!' or '?'): for a message that goes
    on after an embedded error text, which may end in a full stop of its own (a DETAIL line does)."""
    text = text.rstrip()
    return text if text.endswith((".", "!", "?")) else text + "."


def clause(text):
    """``text`` without a trailing full stop, for embedding before "; ..." (an embedded message or tool line may
    end in a full stop of its own: "owner.; the" otherwise)."""
    text = text.rstrip()
    return text[:-1] if text.endswith(".") else text
