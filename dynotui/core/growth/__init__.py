"""Growing the collection: Hub listing, crawl and its log, the queue, batch engines."""
