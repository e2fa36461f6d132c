"""What a rightsizing run is told: the strategy's knobs, KRR's defaults."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class StrategyOptions:
    """KRR 1.29's simple strategy defaults (`--cpu_percentile 95`,
    `--memory_buffer_percentage 15`, `--history_duration 336`, `--points_required 100`)
    and its rounding floors (`--cpu_min 10`, `--mem_min 100`)."""

    percentile: float = 95.0
    """CPU: this percentile (linear interpolation) of hourly CPU use."""
    memory_buffer_percent: float = 15.0
    """Memory: the highest peak working set plus this percentage."""
    window_days: int = 14
    """History the recommendation reads, ending at the newest usage hour."""
    min_samples: int = 100
    """A container with fewer hourly samples in the window gets no recommendation."""
    cpu_floor_millicores: int = 10
    memory_floor_mib: int = 100

    def __post_init__(self) -> None:
        if not 0 < self.percentile <= 100:
            raise ValueError(f"percentile must be in (0, 100], not {self.percentile}")
        if self.memory_buffer_percent < 0:
            raise ValueError(f"memory buffer must be >= 0 %, not {self.memory_buffer_percent}")
        if self.window_days < 1:
            raise ValueError(f"window must be at least 1 day, not {self.window_days}")
        if self.min_samples < 1:
            raise ValueError(f"minimum samples must be at least 1, not {self.min_samples}")
