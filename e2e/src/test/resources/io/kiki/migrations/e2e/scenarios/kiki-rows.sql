-- Rows the KIKI application would have written (any revision from 4d5e6f7a0004 on).
INSERT INTO users (id, email, display_name) VALUES (1, 'ada@example.com', 'Ada'), (2, 'lin@example.com', 'Lin');
INSERT INTO campaigns (id, user_id, name, status) VALUES (10, 1, 'Spring launch', 'active'), (11, 2, 'Autumn sale', 'draft');
INSERT INTO campaign_deployments (id, campaign_id, user_id, status, assets_source) VALUES
  (100, 10, 1, 'running', NULL),
  (101, 10, 1, 'done', 'UPLOADED'),
  (102, 11, 2, 'pending', NULL);
