import { captureInboxRequest } from "@/lib/inbox/handler";

type Ctx = { params: Promise<{ token: string }> };

export const dynamic = "force-dynamic";

// ANY /api/inbox/{token} — the built-in receiver stores the request and answers the inbox's configured status
async function capture(req: Request, { params }: Ctx): Promise<Response> {
  const { token } = await params;
  return captureInboxRequest(req, token);
}

export const GET = capture;
export const POST = capture;
export const PUT = capture;
export const PATCH = capture;
export const DELETE = capture;
export const HEAD = capture;
export const OPTIONS = capture;
