/**
 * Message texts as clients really send them: one-time codes, notifications, promotions and
 * voice scripts in the languages of the countries in world.ts — Latin, Cyrillic, with emoji and
 * with GSM extension characters — so part counts cover GSM-7 and UCS-2, single and multi-part.
 */
import type { RandomSource } from './random'
import { FIRST_NAMES } from './world'

export type Lang = 'ru' | 'en' | 'de' | 'bg' | 'bglat' | 'uk' | 'uz'
export type TextKind = 'otp' | 'notify' | 'promo' | 'voice'

const TEXTS: Record<Lang, Partial<Record<TextKind, string[]>>> = {
  ru: {
    otp: [
      'Ваш код подтверждения: {code}. Никому не сообщайте его.',
      '{code} — код для входа в {brand}. Не сообщайте его никому, даже сотрудникам банка.',
      'Код: {code}'
    ],
    notify: [
      'Заказ №{order} передан в доставку. Курьер приедет {date} с {time}. Отследить: {url}',
      '{name}, ваша запись на {date} в {time} подтверждена. Ждём вас!',
      'Платёж {amount} зачислен на лицевой счёт {order}. Спасибо!',
      'Уважаемый клиент! Напоминаем о задолженности {amount}. Оплатите до {date}, чтобы избежать приостановки услуг. Подробнее в личном кабинете: {url}'
    ],
    promo: [
      '🎉 {name}, только до {date} скидка {pct}% на всё! Промокод [SALE{pct}] — покажите это SMS на кассе. {url}',
      'Распродажа в {brand}: скидки до {pct}% на тысячи товаров 🔥 Успейте до {date}! Бесплатная доставка при заказе от 5000. Отписаться: {url}',
      'Дорогие покупатели! {brand} открывает новый магазин {date}. В день открытия — подарки первым 100 гостям, дегустации и скидка {pct}% на весь ассортимент. Ждём вас с 10:00 до 22:00. Подробности и карта проезда: {url}'
    ],
    voice: [
      'Здравствуйте! Ваш код подтверждения {code}. Повторяю: {code}.',
      'Здравствуйте, {name}! Напоминаем о записи на {date} в {time}. Для подтверждения нажмите 1, для отмены нажмите 2.'
    ]
  },
  en: {
    otp: [
      'Your verification code is {code}. It expires in 10 minutes.',
      '{brand}: use {code} to sign in. Never share this code with anyone.',
      '{code} is your code'
    ],
    notify: [
      'Your order #{order} has been shipped and will arrive on {date}. Track it: {url}',
      'Hi {name}, your appointment on {date} at {time} is confirmed. Reply STOP to opt out.',
      'Payment of €{amount} received, thank you! Ref [{order}]',
      'Reminder: your invoice {order} of {amount} is due on {date}. Pay online at {url} or call us. Ignore this message if you have already paid. Thank you for choosing {brand}!'
    ],
    promo: [
      '{brand} sale: up to {pct}% off everything until {date}! Code {SALE} ~ {url}',
      'Hi {name}! 🎁 Your loyalty bonus of {amount} points is waiting. Spend it before {date}: {url}',
      'Big weekend at {brand}: {pct}% off all shoes and bags, 2 for 1 on accessories and free delivery on orders over 50. Offer valid until {date} while stocks last. Shop now at {url} | Reply STOP to unsubscribe'
    ],
    voice: [
      'Hello! Your verification code is {code}. I repeat: {code}.',
      'Hello {name}. This is a reminder of your appointment on {date} at {time}. Press 1 to confirm or 2 to cancel.'
    ]
  },
  de: {
    otp: ['Ihr Bestätigungscode lautet {code}. Bitte geben Sie ihn niemals weiter.', '{brand}: Ihr Code {code}'],
    notify: [
      'Ihre Bestellung {order} ist unterwegs und kommt am {date} zwischen {time} und 18:00. Sendungsverfolgung: {url}',
      'Ihr Termin am {date} um {time} Uhr ist bestätigt. Absage bitte bis 24 Std. vorher. Grüße, {brand}',
      'Zahlung über {amount} € erhalten. Vielen Dank! Rechnung [{order}]'
    ],
    promo: [
      'Nur bis {date}: {pct}% Rabatt auf alles bei {brand}! Gutscheincode |SALE{pct}| – jetzt einlösen: {url}',
      'Hallo {name}! Unser Sommerfest beginnt am {date}: {pct}% auf das gesamte Sortiment, Gratis-Versand ab 30 € und jeden Tag neue Überraschungen. Schauen Sie vorbei oder bestellen Sie bequem online: {url} Abmelden: STOP an 12345'
    ]
  },
  bg: {
    otp: ['Вашият код за потвърждение е {code}. Не го споделяйте с никого.', 'Код за вход в {brand}: {code}'],
    notify: [
      'Поръчка №{order} е изпратена. Очаквайте доставка на {date}. Проследяване: {url}',
      '{name}, часът Ви на {date} в {time} е потвърден.'
    ],
    promo: ['🎉 Само до {date}: -{pct}% на всички продукти в {brand}! {url}']
  },
  bglat: {
    otp: ['Vashiyat kod za potvarzhdenie e {code}. Ne go spodelyaite s nikogo.'],
    notify: ['Porachka {order} e izpratena. Ochakvaite dostavka na {date}. {url}'],
    promo: ['{brand}: -{pct}% na vsichki produkti do {date}! Kod: {SALE} {url}']
  },
  uk: {
    otp: ['Ваш код підтвердження: {code}. Нікому його не повідомляйте.'],
    notify: [
      'Замовлення №{order} вже в дорозі! Очікуйте {date}. Відстежити: {url}',
      '{name}, нагадуємо про візит {date} о {time}. Чекаємо на вас!'
    ],
    promo: ['💛 {brand}: знижки до {pct}% до {date}! Деталі: {url}']
  },
  uz: {
    otp: ['Tasdiqlash kodingiz: {code}. Uni hech kimga aytmang.'],
    notify: ['Buyurtma #{order} {date} kuni yetkazib beriladi. Kuzatish: {url}'],
    promo: ["{brand}: {date} gacha barcha mahsulotlarga {pct}% chegirma! Batafsil: {url}"]
  }
}

/** Languages clients of each country write in, with weights. */
export const LANGS_BY_COUNTRY: Record<string, readonly (readonly [Lang, number])[]> = {
  KZ: [['ru', 6], ['en', 2]],
  RU: [['ru', 9], ['en', 1]],
  BG: [['bg', 6], ['bglat', 3], ['en', 1]],
  UA: [['uk', 6], ['ru', 2], ['en', 1]],
  DE: [['de', 7], ['en', 3]],
  UZ: [['uz', 4], ['ru', 5], ['en', 1]]
}

type Segment = string | { p: Param }
type Param = 'code' | 'name' | 'amount' | 'date' | 'time' | 'order' | 'url' | 'pct' | 'brand'
const PARAMS = new Set<string>(['code', 'name', 'amount', 'date', 'time', 'order', 'url', 'pct', 'brand'])

function parse(template: string): Segment[] {
  const out: Segment[] = []
  let last = 0
  for (const m of template.matchAll(/\{([a-z]+)\}/g)) {
    if (!PARAMS.has(m[1])) continue
    if (m.index > last) out.push(template.slice(last, m.index))
    out.push({ p: m[1] as Param })
    last = m.index + m[0].length
  }
  if (last < template.length) out.push(template.slice(last))
  return out
}

const PARSED = new Map<string, Segment[]>()
function parsed(template: string): Segment[] {
  let p = PARSED.get(template)
  if (!p) PARSED.set(template, (p = parse(template)))
  return p
}

export function templates(lang: Lang, kind: TextKind): string[] {
  return TEXTS[lang][kind] ?? TEXTS.en[kind] ?? TEXTS.en.notify!
}

const URL_CHARS = 'abcdefghijkmnpqrstuvwxyz23456789'
const pad2 = (n: number): string => (n < 10 ? '0' : '') + n

/** Renders one template with parameters drawn from `rng` (the same draws give the same text). */
export function renderText(rng: RandomSource, lang: Lang, kind: TextKind, brand: string): string {
  const list = templates(lang, kind)
  const segments = parsed(list[Math.floor(rng.next() * list.length)])
  let s = ''
  let code: string | null = null
  for (const seg of segments) {
    if (typeof seg === 'string') {
      s += seg
      continue
    }
    switch (seg.p) {
      case 'code':
        // A code said twice ("…{code}. I repeat: {code}") is the same code.
        s += code ??= rng.digits(rng.chance(0.7) ? 4 : 6)
        break
      case 'name':
        s += FIRST_NAMES[Math.floor(rng.next() * FIRST_NAMES.length)]
        break
      case 'amount':
        s += `${rng.int(1, 2500)}.${pad2(rng.int(0, 99))}`
        break
      case 'date':
        s += `${pad2(rng.int(1, 28))}.${pad2(rng.int(1, 12))}`
        break
      case 'time':
        s += `${pad2(rng.int(8, 20))}:${rng.chance(0.5) ? '00' : '30'}`
        break
      case 'order':
        s += String(rng.int(100000, 99999999))
        break
      case 'url': {
        let code = ''
        for (let i = 0; i < 6; i++) code += URL_CHARS[Math.floor(rng.next() * URL_CHARS.length)]
        s += `https://sdsk.io/${code}`
        break
      }
      case 'pct':
        s += String(rng.int(2, 14) * 5)
        break
      case 'brand':
        s += brand
        break
    }
  }
  return s
}
