// Run with `tsx --conditions=react-server` (as `npm run worker` runs): renders one email and prints it as JSON.
import { renderEmail } from "@/lib/email/render";
import { startEmailRenderThread } from "../../scripts/email-render-thread";

startEmailRenderThread();

const email = await renderEmail({ subject: "S", heading: "Worker", paragraphs: ["from a react-server process"], action: { label: "Open", url: "https://portal.example.test/x" } });
console.log(JSON.stringify(email));
