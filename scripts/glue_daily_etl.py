"""AWS Glue script_location of the daily ETL: see dbt_safeguard.glue_job."""
import sys
from dbt_safeguard.glue_job import main
sys.exit(main())
