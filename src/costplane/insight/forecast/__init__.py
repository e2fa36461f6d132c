"""Forecasts: each tenant database's size against its class's band, and the spend of the
month's end and the next three months, each with a p10-p90 interval.

One daily model serves both (daily_model.py: a level or linear trend with weekly
seasonality, fitted by least squares); the methods, the choices and the backtest's
figures are in docs/forecasting.md.
"""

from costplane.insight.forecast.backtest import Backtest, Score, Series, backtest
from costplane.insight.forecast.daily_model import DailyModel, Interval, fit_daily
from costplane.insight.forecast.databases import (
    DatabaseForecast,
    DatabaseForecasts,
    ForecastDay,
    SizeHistory,
    TableGrowth,
    forecast_databases,
    size_histories,
    table_growth,
)
from costplane.insight.forecast.growth import (
    GrowthForecast,
    drift_forecast,
    forecast_growth,
    level_shifts,
    naive_forecast,
)
from costplane.insight.forecast.spend import (
    MonthForecast,
    SpendForecast,
    SpendForecasts,
    forecast_spend,
)

__all__ = [
    "Backtest",
    "DailyModel",
    "DatabaseForecast",
    "DatabaseForecasts",
    "ForecastDay",
    "GrowthForecast",
    "Interval",
    "MonthForecast",
    "Score",
    "Series",
    "SizeHistory",
    "SpendForecast",
    "SpendForecasts",
    "TableGrowth",
    "backtest",
    "drift_forecast",
    "fit_daily",
    "forecast_databases",
    "forecast_growth",
    "forecast_spend",
    "level_shifts",
    "naive_forecast",
    "size_histories",
    "table_growth",
]
