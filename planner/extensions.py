"""Flask extensions, created unbound and attached in create_app."""

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[])

# One budget per use case, shared by the form and the API (Flask-Limiter's shared limits).
create_limit = limiter.shared_limit("30/minute;300/hour", scope="create")
checkin_limit = limiter.shared_limit("60/minute", scope="checkin")
manage_limit = limiter.shared_limit("20/minute", scope="manage")
