"""Access Manager: who may do what (reference §11).

`policy` is the hook every route goes through (`Need`, `AccessPolicy`, `OpenAccess`);
with a secret key, `enforcement.TokenAccess` checks signatures (`signatures`) and
tokens (`tokens`); `grants` serves the grant and revoke endpoints that issue them.
Kept free of imports here, so routing can use `policy` without loading the rest.
"""
