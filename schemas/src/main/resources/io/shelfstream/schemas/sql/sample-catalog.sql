-- A small sample catalog for the demo and the walking-skeleton test.
INSERT INTO books (book_id, isbn, title, author, description, genres, reading_level) VALUES
 ('b-0001', '9780000000011', 'The Lighthouse Keeper''s Daughter', 'Mara Ellison',
  'A girl who tends a remote lighthouse discovers a shipwrecked stranger and must decide whom to trust as a storm cuts the island off from the mainland.',
  '{adventure,mystery}', 'middle-grade'),
 ('b-0002', '9780000000028', 'Rockets in the Backyard', 'Dev Chandran',
  'Two friends build model rockets from scrap and learn the physics of thrust, drag and orbits on the way to a regional science fair.',
  '{science,friendship}', 'middle-grade'),
 ('b-0003', '9780000000035', 'The Clockwork Fox', 'Ines Navarro',
  'In a city of gears and steam, a mechanical fox escapes its maker and searches for the heart it was never given.',
  '{fantasy}', 'young-adult'),
 ('b-0004', '9780000000042', 'Tide Pools', 'Hannah Okafor',
  NULL,
  '{nature,non-fiction}', 'early-reader'),
 ('b-0005', '9780000000059', 'Dragons of the Northern Ice', 'Pieter Vos',
  'When the glaciers crack, an apprentice mapmaker and a young ice dragon cross frozen kingdoms to stop an ancient winter from returning.',
  '{fantasy,adventure}', 'young-adult'),
 ('b-0006', '9780000000066', 'How Volcanoes Work', 'Leila Haddad',
  'An illustrated guide to magma, tectonic plates and eruptions, with experiments that can be done safely at home or in class.',
  '{science,non-fiction}', 'middle-grade')
ON CONFLICT (book_id) DO NOTHING;

INSERT INTO students (student_id, grade_level, interests, preferred_genres) VALUES
 ('s-0001', 6, 'space, robots and building things', '{science,adventure}'),
 ('s-0002', 9, 'myths, dragons and long fantasy series', '{fantasy}'),
 ('s-0003', 3, 'animals and the seaside', '{nature}')
ON CONFLICT (student_id) DO NOTHING;
