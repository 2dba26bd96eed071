"""Who bills each code: CMS's utilization data (Provider and Service, PSPS) into code_specialty and
code_place_of_service."""
