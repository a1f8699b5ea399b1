/**
 * Reference data for the generator: countries with their dialling codes, currencies and
 * mobile operators by number prefix, and names for people and companies.
 */
export interface Operator {
  name: string
  /** National destination codes that belong to the operator. */
  codes: string[]
}

export interface Country {
  iso: string
  name: string
  dial: string
  currency: string
  /** Digits after the national destination code. */
  subscriberDigits: number
  regions: string[]
  operators: Operator[]
}

export const COUNTRIES: Country[] = [
  {
    iso: 'KZ', name: 'Kazakhstan', dial: '7', currency: 'KZT', subscriberDigits: 7,
    regions: ['Almaty', 'Astana', 'Shymkent', 'Karaganda', 'Aktobe'],
    operators: [
      { name: 'Kcell', codes: ['701', '702', '775', '778'] },
      { name: 'Beeline KZ', codes: ['705', '771', '776', '777'] },
      { name: 'Tele2 KZ', codes: ['707', '747'] }
    ]
  },
  {
    iso: 'RU', name: 'Russia', dial: '7', currency: 'RUB', subscriberDigits: 7,
    regions: ['Москва', 'Санкт-Петербург', 'Новосибирск', 'Екатеринбург', 'Казань'],
    operators: [
      { name: 'MTS', codes: ['910', '915', '916', '985'] },
      { name: 'MegaFon', codes: ['920', '925', '926', '929'] },
      { name: 'Beeline', codes: ['903', '905', '906', '909'] },
      { name: 'Tele2', codes: ['900', '950', '951', '977'] }
    ]
  },
  {
    iso: 'BG', name: 'Bulgaria', dial: '359', currency: 'BGN', subscriberDigits: 7,
    regions: ['София', 'Пловдив', 'Варна', 'Бургас'],
    operators: [
      { name: 'A1 Bulgaria', codes: ['88'] },
      { name: 'Yettel', codes: ['87'] },
      { name: 'Vivacom', codes: ['89'] }
    ]
  },
  {
    iso: 'UA', name: 'Ukraine', dial: '380', currency: 'UAH', subscriberDigits: 7,
    regions: ['Київ', 'Львів', 'Одеса', 'Харків'],
    operators: [
      { name: 'Kyivstar', codes: ['67', '68', '96', '97', '98'] },
      { name: 'Vodafone UA', codes: ['50', '66', '95', '99'] },
      { name: 'lifecell', codes: ['63', '73', '93'] }
    ]
  },
  {
    iso: 'DE', name: 'Germany', dial: '49', currency: 'EUR', subscriberDigits: 8,
    regions: ['Berlin', 'Hamburg', 'München', 'Köln'],
    operators: [
      { name: 'Telekom', codes: ['151', '160', '170', '171'] },
      { name: 'Vodafone DE', codes: ['152', '162', '172', '173'] },
      { name: 'O2', codes: ['157', '159', '176', '179'] }
    ]
  },
  {
    iso: 'UZ', name: 'Uzbekistan', dial: '998', currency: 'UZS', subscriberDigits: 7,
    regions: ['Ташкент', 'Самарканд', 'Бухара'],
    operators: [
      { name: 'Beeline UZ', codes: ['90', '91'] },
      { name: 'Ucell', codes: ['93', '94'] },
      { name: 'Mobiuz', codes: ['97', '88'] }
    ]
  }
]

export const FIRST_NAMES = [
  'Алексей', 'Мария', 'Дмитрий', 'Анна', 'Сергей', 'Елена', 'Айгерим', 'Нурлан', 'Иван', 'Ольга',
  'Георги', 'Десислава', 'Олена', 'Тарас', 'John', 'Emma', 'Lukas', 'Sophie', 'Timur', 'Dilnoza'
]
export const LAST_NAMES = [
  'Иванов', 'Смирнова', 'Петров', 'Кузнецова', 'Ахметов', 'Жумабаева', 'Георгиев', 'Петрова',
  'Шевченко', 'Коваленко', 'Smith', 'Müller', 'Schmidt', 'Brown', 'Karimov', 'Yusupova'
]
export const COMPANY_STEMS = [
  'Ромашка', 'Вектор', 'Альфа Логистик', 'Северный ветер', 'Techno Trade', 'Nova Retail',
  'Самрук Сервис', 'Балкан Експрес', 'Dental Plus', 'Fresh Market', 'Автопарк', 'Green Energy',
  'Медицинский центр «Здоровье»', 'Smart Delivery', 'Kazakh Telecom Partners', 'Lumen Bank'
]
export const COMPANY_FORMS: Record<string, string[]> = {
  legal: ['ООО', 'ТОО', 'ЕООД', 'GmbH', 'LLC', 'АО'],
  individual: [''],
  entrepreneur: ['ИП', 'ЕТ', 'ФОП']
}
export const ACTIVITIES = [
  'Retail', 'Logistics', 'Healthcare', 'Banking', 'E-commerce', 'Education', 'Taxi', 'Restaurants',
  'Розничная торговля', 'Доставка', 'Медицина', 'Образование'
]
export const STREETS = ['ул. Ленина', 'пр. Абая', 'бул. Витоша', 'Hauptstraße', 'ул. Шевченко', 'Main St.']

/** Hourly weights of traffic (UTC hour of day), for realistic daily curves. */
export const HOURLY_WEIGHTS = [
  1, 1, 1, 1, 2, 4, 7, 10, 12, 13, 13, 12, 11, 11, 12, 12, 11, 10, 9, 8, 6, 4, 2, 1
]

export const SENDER_SUFFIXES = ['INFO', 'SHOP', 'PAY', 'KZ', '24', 'Club', 'Bonus']

/** SIM card labels of a SIM-box customer; some SIMs have none (null). */
export const SIM_LABELS = [
  'Office Almaty', 'Office Astana', 'Courier 1', 'Courier 2', 'Support line', 'Sales', 'Reception',
  'Склад', 'Бухгалтерия', 'Дежурный', 'Test SIM', 'Backup'
]

export const USSD_CODES = ['*100#', '*102#', '*111#', '*121#', '*140#', '*160#', '*111*1#']

export const DISPATCH_TAGS = ['javascript', 'python', 'vip', 'promo', 'loyalty', 'b2b', 'newsletter', 'retail', 'reactivation']

export const DISPATCH_TEXTS = [
  'Test {n}',
  'Скидка {p}% на всё до конца недели!',
  'Новая коллекция уже в магазинах',
  'Напоминание об оплате',
  'Black Friday: -{p}% on everything',
  'Ваш бонусный баланс пополнен',
  'Приглашаем на день открытых дверей',
  'Weekly digest #{n}'
]
