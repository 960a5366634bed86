from django.shortcuts import redirect, render

from .forms import RegistrationForm


def register(request):
    """Create a user from the registration form; accounts.signals e-mails them."""
    if request.method == "POST":
        form = RegistrationForm(request.POST)
        if form.is_valid():
            form.save()
            return redirect("accounts:register_done")
    else:
        form = RegistrationForm()
    return render(request, "accounts/register.html", {"form": form})


def register_done(request):
    return render(request, "accounts/register_done.html")
