from django import forms
from django.utils.translation import gettext_lazy as _


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("Mã xác thực"),
        max_length=16,
        widget=forms.TextInput(
            attrs={
                "class": "form-control",
                "autocomplete": "one-time-code",
                "autofocus": True,
                "inputmode": "text",
            }
        ),
    )

    def clean_token(self) -> str:
        # Codes are typed with spaces ("123 456") or in capitals; the stored forms have neither.
        return "".join(self.cleaned_data["token"].split()).lower()
