"""The cache: stale-while-revalidate over a store, knowing nothing of dashboards."""
