"""DR evidence: per tenant, the class's recovery objectives against what the backup
records prove (achieved RPO, last verified restore and its duration, isolation), pass or
fail with the records behind each. See docs/service-classes.md."""

from costplane.insight.dr.evidence import (
    Evidence,
    RanBy,
    RecoveryEvidence,
    Requirement,
    TenantRecovery,
    recovery_evidence,
)
from costplane.insight.dr.records import BackupEntry, Catalogue, read_catalogue
from costplane.insight.dr.report import dr_evidence
from costplane.insight.dr.tenants import contracted_tenants

__all__ = [
    "BackupEntry",
    "Catalogue",
    "Evidence",
    "RanBy",
    "RecoveryEvidence",
    "Requirement",
    "TenantRecovery",
    "contracted_tenants",
    "dr_evidence",
    "read_catalogue",
    "recovery_evidence",
]
