DROP TABLE webhook_deliveries, webhook_endpoints;
