"""Who may do what: a member's permissions, read once a request."""

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied
from django.db.models import Q


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

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_member_perm_cache"):
            # Subqueries, not joins: joining through the role would read a
            # row per member of the role.
            own = user_obj.user_permissions.through.objects.filter(user=user_obj)
            roles = Group.permissions.through.objects.filter(group__user=user_obj)
            found = Permission.objects.filter(
                Q(pk__in=own.values("permission"))
                | Q(pk__in=roles.values("permission"))
            ).values_list("content_type__app_label", "codename")
            user_obj._member_perm_cache = {
                f"{app_label}.{codename}" for app_label, codename in found.order_by()
            }
        return user_obj._member_perm_cache

    def has_perm(self, user_obj, perm, obj=None):
        if obj is not None:
            return False  # no per-object permissions: not this backend's to refuse
        if perm in self.get_all_permissions(user_obj):
            return True
        raise PermissionDenied
