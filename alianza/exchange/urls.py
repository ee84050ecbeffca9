
app_name = "exchange"

urlpatterns: list = []
