-- audit fee_locality_known: locality fees for a MAC x locality that the localities table lacks.
-- grain: one row per unknown MAC x locality; must return zero rows.
SELECT DISTINCT f.mac, f.locality
FROM fee_locality AS f
ANTI JOIN localities AS l ON f.mac = l.mac AND f.locality = l.locality
