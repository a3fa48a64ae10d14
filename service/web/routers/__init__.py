"""Page routers, one per area: sign-in, consultant, openings, employers, analyst, admin."""
