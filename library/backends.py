"""Who may do what: a member's permissions, read once a request."""

import functools

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission, User
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import connections, router


class MemberBackend(ModelBackend):
    """Django's ModelBackend, reading a member's own and their role's
    permissions in one statement where ModelBackend asks twice: every request
    to the picker needs them.

    Listed before ModelBackend, which stays for the sessions that name it
    (a session whose backend is no longer listed is logged out; so would
    this one's be, were it ever removed). Its answer on a permission is
    final: one not found raises PermissionDenied, so that ModelBackend does
    not read them all again. Superusers never get here (User.has_perm grants
    them everything first).
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        # Django makes a backend afresh for each authenticate() call: this
        # attribute belongs to one log-in.
        self.inactive_with_right_password = False
        user = super().authenticate(request, username, password, **kwargs)
        if self.inactive_with_right_password and request is not None:
            # The login form tells the owner the account was switched off,
            # from this password check rather than a second one that only
            # deactivated accounts would cost (its time would tell them apart).
            request.deactivated_account = True
        return user

    def user_can_authenticate(self, user):
        allowed = super().user_can_authenticate(user)
        if not allowed:
            # ModelBackend asks only once the password has matched.
            self.inactive_with_right_password = True
        return allowed

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_member_perm_cache"):
            with connections[router.db_for_read(Permission)].cursor() as cursor:
                cursor.execute(permissions_statement(), [user_obj.pk, user_obj.pk])
                user_obj._member_perm_cache = {
                    f"{app_label}.{codename}" for app_label, codename in cursor
                }
        return user_obj._member_perm_cache

    def get_user(self, user_id):
        """The member a session names, read on every request, with their
        permissions: a row per permission (or one row with none), read with
        the session where that came from the database (library.sessions),
        else by one plain statement. Nearly every request asks for a
        permission, and on PostgreSQL a second round trip cost more than the
        extra rows."""
        from library.sessions import take_member_rows

        database = router.db_for_read(User)
        statement, fields = user_statement()
        rows = take_member_rows(user_id)
        if rows is None:
            with connections[database].cursor() as cursor:
                cursor.execute(statement, [user_id, user_id, user_id])
                rows = cursor.fetchall()
        if not rows:
            return None
        user = User.from_db(database, fields, rows[0][: len(fields)])
        user._member_perm_cache = {
            f"{app_label}.{codename}"
            for *_, app_label, codename in rows
            if codename is not None
        }
        return user if self.user_can_authenticate(user) else None

    def has_perm(self, user_obj, perm, obj=None):
        if obj is not None:
            return False  # no per-object permissions: not this backend's to refuse
        if perm in self.get_all_permissions(user_obj):
            return True
        raise PermissionDenied


@functools.cache
def permissions_statement(member="%s"):
    """A member's own and their role's permissions: plain SQL, which costs
    less than compiling the queryset it would be on every request.
    Subqueries, not joins: joining through the role would read a row per
    member of the role. `member` is the SQL for their id (twice)."""
    own = User.user_permissions.through._meta
    role = Group.permissions.through._meta
    membership = User.groups.through._meta
    return (
        f"SELECT ct.app_label, p.codename FROM {Permission._meta.db_table} p "
        f"JOIN {ContentType._meta.db_table} ct ON ct.id = p.content_type_id "
        f"WHERE p.id IN (SELECT permission_id FROM {own.db_table} "
        f"WHERE user_id = {member}) OR p.id IN (SELECT r.permission_id "
        f"FROM {role.db_table} r JOIN {membership.db_table} m "
        f"ON m.group_id = r.group_id WHERE m.user_id = {member})"
    )


@functools.cache
def user_statement(member="%s"):
    """The statement reading one member and their permissions (`member`, the
    SQL for their id, three times), and the fields of the member's columns."""
    fields = User._meta.concrete_fields
    columns = ", ".join(f"u.{field.column}" for field in fields)
    statement = (
        f"SELECT {columns}, perm.app_label, perm.codename "
        f"FROM {User._meta.db_table} u LEFT JOIN ({permissions_statement(member)}) "
        f"perm ON 1 = 1 WHERE u.id = {member}"
    )
    return statement, [field.attname for field in fields]
