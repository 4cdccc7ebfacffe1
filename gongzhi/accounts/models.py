"""Users who log in by mainland mobile number, their memberships, login history and API tokens."""

from __future__ import annotations

import hashlib

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.lib import idcodes

from .roles import DataScope, Role

MOBILE_CONTEXT = "user.mobile"
TOTP_CONTEXT = "user.totp_secret"


class UserManager(BaseUserManager):
    def get_by_natural_key(self, username: str) -> User:
        """Log-in look-up: the mobile number is found through its blind index, never in clear."""
        from gongzhi.core.vault import blind_index

        try:
            mobile = idcodes.normalize_mobile(username)
        except ValueError:
            raise self.model.DoesNotExist from None
        return self.get(mobile_index=blind_index(mobile, context=MOBILE_CONTEXT))

    def create_user(self, mobile: str, password: str | None = None, **fields) -> User:
        from .services import user_create

        return user_create(mobile=mobile, password=password, **fields)


class User(AbstractBaseUser):
    mobile_index = models.CharField(_("mobile (keyed hash)"), max_length=64, unique=True)
    mobile_enc = models.TextField(_("mobile (encrypted)"))
    mobile_masked = models.CharField(_("mobile"), max_length=20)
    name = models.CharField(_("name"), max_length=50)
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)
    password_changed_at = models.DateTimeField(_("password changed"), default=timezone.now)
    failed_logins = models.PositiveSmallIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)
    totp_secret_enc = models.TextField(blank=True, default="")
    totp_confirmed_at = models.DateTimeField(null=True, blank=True)
    totp_last_step = models.BigIntegerField(default=0)  # refuses a replayed code within its window
    person = models.OneToOneField(
        "people.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="user",
        verbose_name=_("person record"),
    )

    objects = UserManager()

    USERNAME_FIELD = "mobile_index"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.mobile_masked})"

    def get_full_name(self) -> str:
        return self.name

    def get_short_name(self) -> str:
        return self.name

    @property
    def access(self):
        """The one permission resolver for this user (cached per request object)."""
        from .access import Access

        if not hasattr(self, "_access"):
            self._access = Access(self)
        return self._access

    # Django admin asks these: only the system administrator reaches it, for reference data.
    @property
    def is_staff(self) -> bool:
        return self.is_active and self.access.has_role(Role.SYSTEM_ADMIN)

    @property
    def is_superuser(self) -> bool:
        return False

    def has_perm(self, perm: str, obj=None) -> bool:
        return self.is_staff

    def has_perms(self, perm_list, obj=None) -> bool:
        return self.is_staff

    def has_module_perms(self, app_label: str) -> bool:
        return self.is_staff

    def is_locked(self, now=None) -> bool:
        return bool(self.locked_until and self.locked_until > (now or timezone.now()))


class MembershipQuerySet(models.QuerySet):
    def active(self):
        # The same condition in SQL: gongzhi.accounts.access.membership_in_force.
        now = timezone.now()
        return self.filter(models.Q(valid_until__isnull=True) | models.Q(valid_until__gt=now))


class Membership(models.Model):
    """A role held in an area, optionally on behalf of an organisation."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user")
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("area"))
    organisation = models.ForeignKey(
        "directory.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="memberships",
        verbose_name=_("organisation"),
    )
    data_scope = models.CharField(_("data scope"), max_length=20, choices=DataScope.choices)
    scope_areas = models.ManyToManyField(
        "areas.Area", blank=True, related_name="+", verbose_name=_("listed areas")
    )
    granted_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    granted_at = models.DateTimeField(default=timezone.now)
    valid_until = models.DateTimeField(null=True, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "area", "organisation"],
                name="membership_unique_with_org",
                condition=models.Q(organisation__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["user", "role", "area"],
                name="membership_unique_without_org",
                condition=models.Q(organisation__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} @ {self.area_id}"


class LoginEvent(models.Model):
    """Login history (等保: time, user, type, success or failure). Never stores a password."""

    class Kind(models.TextChoices):
        LOGIN = "login", _("Log in")
        LOGOUT = "logout", _("Log out")
        IDLE_LOGOUT = "idle_logout", _("Logged out when idle")
        TOTP = "totp", _("Second factor")
        LOCKED = "locked", _("Account locked")

    user = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="login_events"
    )
    area_code = models.CharField(max_length=15, blank=True, default="", db_index=True)
    mobile_masked = models.CharField(max_length=20, blank=True, default="")
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.LOGIN)
    success = models.BooleanField()
    reason = models.CharField(max_length=40, blank=True, default="")
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=200, blank=True, default="")
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("login event")
        verbose_name_plural = _("login history")

    def __str__(self) -> str:
        return f"{self.kind} {self.mobile_masked} {self.at:%Y-%m-%d %H:%M}"


def hash_token(raw: str) -> str:
    # Tokens are 256-bit random, so a fast unsalted hash is enough and keeps the look-up indexed.
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token for API clients; only its hash is stored, and it can be revoked."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=80)
    prefix = models.CharField(max_length=8)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def is_usable(self, now=None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)
