"""placeholder"""
from reporting.queries._common import Indicator

INDICATORS: list[Indicator] = []
