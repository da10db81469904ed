import { describe, expect, it } from 'vitest';
import { appUpdateFeedUrl } from '../../../electron/services/app-update/feed-url';

describe('app update feed URL', () => {
  it.each([
    ['https://central.workshop.example', 'https://central.workshop.example/app-updates/'],
    ['https://central.workshop.example/bench-api', 'https://central.workshop.example/bench-api/app-updates/'],
    ['https://central.workshop.example/bench-api/?x=1#top', 'https://central.workshop.example/bench-api/app-updates/'],
    ['http://127.0.0.1:8443', 'http://127.0.0.1:8443/app-updates/'],
    ['http://localhost:8443/', 'http://localhost:8443/app-updates/'],
  ])('serves updates for %s from %s', (serverUrl, feed) => {
    expect(appUpdateFeedUrl(serverUrl)).toBe(feed);
  });

  it.each([
    ['http://central.workshop.example', /need an https:\/\//],
    ['ftp://central.workshop.example', /need an https:\/\//],
    ['https://user:secret@central.workshop.example', /must not carry a user name or password/],
    ['central.workshop.example', /is not a URL/],
  ])('refuses %s', (serverUrl, message) => {
    expect(() => appUpdateFeedUrl(serverUrl)).toThrow(message);
  });

  it('never echoes a password in its error', () => {
    expect(() => appUpdateFeedUrl('http://user:secret@central.workshop.example')).toThrow(expect.objectContaining({ message: expect.not.stringContaining('secret') }));
  });
});
