// Reads iCalendar files with ical.js (a strict parser, the one Thunderbird's calendar uses) and prints,
// as JSON, what it understood: the calendar's name and each event's UID, summary and start and end,
// as UTC instants ("2027-03-28T01:30:00Z") for timed events or dates ("2027-03-28") for all-day ones.
// Time zones come only from the VTIMEZONE blocks in the file, never from ical.js's own database.
//
//   node tests/js/instants.mjs feed.ics [more.ics ...]   ->   [{name, calname, events: [...]}, ...]
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

function instant(time) {
  if (time.isDate) {
    return time.toString();
  }
  return new Date(time.toUnixTime() * 1000).toISOString().replace(".000Z", "Z");
}

function read(path) {
  const calendar = new ICAL.Component(ICAL.parse(readFileSync(path, "utf8")));
  const events = calendar.getAllSubcomponents("vevent").map((vevent) => {
    const event = new ICAL.Event(vevent);
    return {
      uid: event.uid,
      summary: event.summary,
      start: instant(event.startDate),
      end: instant(event.endDate),
      tzid: event.startDate.isDate ? null : event.startDate.zone.tzid,
    };
  });
  return {
    name: calendar.getFirstPropertyValue("name"),
    calname: calendar.getFirstPropertyValue("x-wr-calname"),
    events,
  };
}

process.stdout.write(JSON.stringify(process.argv.slice(2).map(read)));
