// POST /api/bench/baseline — the framework's ceiling for `npm run bench`: a bare route handler answering 200.
// Exists only when the server runs with BENCH_ROUTES=1.
export const dynamic = "force-dynamic";

export async function POST(request: Request) {
  if (process.env.BENCH_ROUTES !== "1") return new Response(null, { status: 404 });
  await request.arrayBuffer();
  return Response.json({ ok: true });
}
