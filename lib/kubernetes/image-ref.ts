/** An image reference under an optional registry prefix (`airGap.systemDefaultRegistry`). */
export function imageRef(image: { readonly repository: string; readonly tag?: string }, registry?: string): string {
  return `${registry ? `${registry}/` : ''}${image.repository}${image.tag ? `:${image.tag}` : ''}`;
}
