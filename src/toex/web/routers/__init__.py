"""One router per resource. Routers are thin: they check the role, call one function of
:mod:`toex.web.data` (or :mod:`toex.ops`), write the audit entry and render the result."""
