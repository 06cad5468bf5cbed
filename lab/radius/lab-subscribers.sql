-- Lab subscribers for bng-01. The User-Name is <bng_id>/<remote_id>/<circuit_id> (Option 82 as the
-- access relay inserts it). ae-h1 sits on circuit 1/0/1 and has the "residential-20" plan; ae-h2 on
-- circuit 1/0/2 has no subscription, so FreeRADIUS rejects it and it gets no lease.
INSERT INTO radgroupreply (groupname, attribute, op, value) VALUES
  ('residential-20', 'OSS-Download-Speed', ':=', '20000'),
  ('residential-20', 'OSS-Upload-Speed', ':=', '10000');
INSERT INTO radcheck (username, attribute, op, value) VALUES
  ('bng-01/relay-01/1/0/1', 'Cleartext-Password', ':=', 'aether');
INSERT INTO radusergroup (username, groupname, priority) VALUES
  ('bng-01/relay-01/1/0/1', 'residential-20', 1);
