from django.conf import settings
from django.db import models


class Profile(models.Model):
    """One profile per user. The kit leaves creating it to an exercise."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    bio = models.TextField(blank=True)

    def __str__(self):
        return f"Profile of {self.user.username}"


class LoginEvent(models.Model):
    """A login or a failed login attempt, written by the login-tracking exercise."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="login_events",
    )
    username = models.CharField(max_length=150)
    succeeded = models.BooleanField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        outcome = "login" if self.succeeded else "failed login"
        return f"{outcome} of {self.username}"
