"""The privacy notice a resident agrees to when applying online.

The personal information protection law (PIPL, arts. 14 and 17) asks that consent be
informed and specific: the notice at ``/privacy/`` says what is collected, why, who
sees it, how long it is kept and the resident's rights. Each request records the
version its applicant was shown; change ``NOTICE_VERSION`` whenever the notice's
content changes, so that a form opened before the change is asked to consent again.
"""

NOTICE_VERSION = "2026-03"
