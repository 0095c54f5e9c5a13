"""Pure rules of the webshop side: orders, bookings, relations; no I/O, no Airflow."""
