"""amkit: account-manager kit (客户经理工具箱)."""

__version__ = "0.1.0"
