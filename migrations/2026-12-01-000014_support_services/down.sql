DROP TABLE support_services;
