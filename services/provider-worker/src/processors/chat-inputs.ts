import type { ChatJobRequest, InputImage } from '@imagegate/contracts';
import type { ProviderInputImage, ProviderTurn } from '@imagegate/providers';

/**
 * What a chat job hands its adapter. A conversing model (Gemini) gets every turn with its images
 * (`turns`, given the images read back in order); any other model gets the last user message's
 * images as edit inputs (the prompt is already that message's text).
 */
export function chatInputsOf(
  request: Pick<ChatJobRequest, 'messages' | 'images'>,
  converses: boolean,
): { images: InputImage[]; turns?: (read: ProviderInputImage[]) => ProviderTurn[] } {
  const all = request.images ?? [];
  if (converses) {
    return {
      images: all,
      turns: (read) => {
        let at = 0;
        return request.messages.map((message) => {
          const images = read.slice(at, at + message.images);
          at += message.images;
          const role = message.role === 'assistant' ? 'model' : message.role === 'user' ? 'user' : 'system';
          return { role, text: message.text, images };
        });
      },
    };
  }
  const last = request.messages.findLastIndex((message) => message.role === 'user');
  const before = request.messages.slice(0, Math.max(0, last)).reduce((sum, message) => sum + message.images, 0);
  return { images: all.slice(before, before + (request.messages[last]?.images ?? 0)) };
}
