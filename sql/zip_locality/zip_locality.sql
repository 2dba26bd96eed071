-- zip_locality: one row per ZIP code of one quarter's ZIP code to carrier locality file.
-- inputs: zip5 (the parsed ZIP5 file). mac + locality name the GPCI locality the ZIP is priced in;
-- plus_four_required: CMS prices the ZIP by its ZIP+4 (the ZIP9 file), the locality here is its default.
SELECT year_quarter, zip5, state, mac, locality, rural_indicator, plus_four_required
FROM zip5
ORDER BY zip5
