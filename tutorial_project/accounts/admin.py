from django.contrib import admin

from .models import LoginEvent, Profile

admin.site.register(Profile)
admin.site.register(LoginEvent)
