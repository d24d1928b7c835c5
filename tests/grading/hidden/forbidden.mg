backward b
