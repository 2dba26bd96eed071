-- code_change: one row per HCPCS x modifier that differs between the two releases of a change pair.
-- inputs: change_pairs, rvu, fee_national.
-- change (the first that applies): added, deleted, status_changed, rvu_changed (work, PE or MP RVU).
-- A new conversion factor alone is not a change of the code; its fee differences show on changed rows.
-- Fees are those of the default (non_qp) conversion factor.
WITH side AS (
    SELECT r.release, r.hcpcs, r.modifier, r.status_code, r.category, r.work_rvu, r.nonfacility_pe_rvu,
           r.facility_pe_rvu, r.mp_rvu, r.nonfacility_total_rvu, f.fee_nonfacility_usd
    FROM rvu AS r
    JOIN fee_national AS f USING (release, hcpcs, modifier)
    WHERE f.cf_variant = 'non_qp'
),
keyed AS (
    SELECT DISTINCT p.from_release, p.to_release, s.hcpcs, s.modifier
    FROM change_pairs AS p
    JOIN side AS s ON s.release IN (p.from_release, p.to_release)
),
compared AS (
    SELECT
        k.from_release,
        k.to_release,
        k.hcpcs,
        k.modifier,
        coalesce(b.category, a.category) AS category,
        CASE
            WHEN a.hcpcs IS NULL THEN 'added'
            WHEN b.hcpcs IS NULL THEN 'deleted'
            WHEN a.status_code <> b.status_code THEN 'status_changed'
            WHEN (a.work_rvu, a.nonfacility_pe_rvu, a.facility_pe_rvu, a.mp_rvu)
                 <> (b.work_rvu, b.nonfacility_pe_rvu, b.facility_pe_rvu, b.mp_rvu) THEN 'rvu_changed'
        END AS change,
        a.status_code AS from_status_code,
        b.status_code AS to_status_code,
        a.work_rvu AS from_work_rvu,
        b.work_rvu AS to_work_rvu,
        a.nonfacility_total_rvu AS from_nonfacility_total_rvu,
        b.nonfacility_total_rvu AS to_nonfacility_total_rvu,
        b.nonfacility_total_rvu - a.nonfacility_total_rvu AS nonfacility_total_rvu_change,
        round(100 * (b.nonfacility_total_rvu - a.nonfacility_total_rvu)
              / nullif(a.nonfacility_total_rvu, 0), 2) AS nonfacility_total_rvu_change_pct,
        a.fee_nonfacility_usd AS from_fee_nonfacility_usd,
        b.fee_nonfacility_usd AS to_fee_nonfacility_usd,
        b.fee_nonfacility_usd - a.fee_nonfacility_usd AS fee_nonfacility_change_usd,
        round(100 * (b.fee_nonfacility_usd - a.fee_nonfacility_usd)
              / nullif(a.fee_nonfacility_usd, 0), 2) AS fee_nonfacility_change_pct
    FROM keyed AS k
    LEFT JOIN side AS a ON a.release = k.from_release AND a.hcpcs = k.hcpcs AND a.modifier = k.modifier
    LEFT JOIN side AS b ON b.release = k.to_release AND b.hcpcs = k.hcpcs AND b.modifier = k.modifier
)
SELECT * FROM compared WHERE change IS NOT NULL
